package dev.sysextharness.flavor;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Reads the project's YAML files into typed records, strictly: unknown fields, missing fields and bad values
 * become one {@link ConfigException} line naming the file, the field and what was expected.
 */
public final class ConfigFiles {
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private ConfigFiles() {
    }

    public static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(file.toString(), text, type);
    }

    public static <T> T parse(String source, String text, Class<T> type) {
        try {
            T value = YAML.readValue(text, type);
            if (value == null) {
                throw new ConfigException(source + ": the file is empty");
            }
            return value;
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + where(e.getLocation()) + ": not valid YAML (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static String describe(JsonMappingException e) {
        String path = fieldPath(e);
        if (e instanceof UnrecognizedPropertyException u) {
            String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
            return "unknown field '" + path + "'" + where(e.getLocation()) + "; expected one of "
                    + known(u.getKnownPropertyIds()) + (parent.isEmpty() ? "" : " under '" + parent + "'");
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
            String allowed = Arrays.stream(f.getTargetType().getEnumConstants())
                    .map(c -> c.toString().toLowerCase()).collect(Collectors.joining(", "));
            return "field '" + path + "'" + where(e.getLocation()) + ": '" + f.getValue() + "' is not one of " + allowed;
        }
        if (e instanceof InvalidFormatException f) {
            return "field '" + path + "'" + where(e.getLocation()) + ": '" + f.getValue() + "' is not a valid "
                    + f.getTargetType().getSimpleName();
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException iae) {
            return prefixed(path, iae.getMessage());
        }
        if (e instanceof MismatchedInputException m && e.getOriginalMessage().startsWith("Missing required creator property")) {
            String missing = e.getOriginalMessage().replaceFirst("^Missing required creator property '([^']*)'.*$", "$1");
            String full = path.equals(missing) || path.endsWith("." + missing) ? path
                    : path.isEmpty() ? missing : path + "." + missing;
            return "field '" + full + "' is missing";
        }
        if (e instanceof MismatchedInputException m) {
            String expected = m.getTargetType() == null ? "another type" : friendly(m.getTargetType());
            return "field '" + path + "'" + where(e.getLocation()) + ": expected " + expected;
        }
        return "field '" + path + "': " + e.getOriginalMessage();
    }

    /** Record checks name fields relative to the record; put the record's own path in front. */
    private static String prefixed(String path, String message) {
        if (message.startsWith("field '")) {
            return path.isEmpty() ? message : message.replaceFirst("field '", "field '" + path + ".");
        }
        return path.isEmpty() ? message : "field '" + path + "': " + message;
    }

    private static String friendly(Class<?> type) {
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type == int.class || type == Integer.class) {
            return "an integer";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        return "a mapping (" + type.getSimpleName() + ")";
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String known(Collection<Object> ids) {
        return ids.stream().map(Object::toString).sorted().collect(Collectors.joining(", ", "[", "]"));
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ")";
    }
}
