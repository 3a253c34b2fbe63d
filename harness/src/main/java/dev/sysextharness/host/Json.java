package dev.sysextharness.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the harness: reports, summaries, saved-state metadata, verdict files, what guests print. */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
