package dev.sysextharness.scenario;

import dev.sysextharness.flavor.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * Where an author's own scenarios ({@code run --scenarios DIR|JAR}) are loaded from: while open, a class loader over
 * that directory or jar, on top of the harness's, is the thread's context class loader — the loader JUnit uses for
 * the classes it discovers in a class-path root and for every method it runs. Closing restores the previous one.
 * For the built-in scenarios (no root) it changes nothing.
 */
final class ScenarioClassPath implements AutoCloseable {
    private final Thread thread = Thread.currentThread();
    private final ClassLoader previous = thread.getContextClassLoader();
    private final URLClassLoader loader;

    private ScenarioClassPath(URLClassLoader loader) {
        this.loader = loader;
        if (loader != null) {
            thread.setContextClassLoader(loader);
        }
    }

    /** A directory or jar that exists, absolute; a usage error naming {@code --scenarios} otherwise. */
    static Path checked(Path root) {
        if (!Files.exists(root)) {
            throw new ConfigException("--scenarios " + root + ": no such directory or jar");
        }
        if (Files.isRegularFile(root) && !root.getFileName().toString().endsWith(".jar")) {
            throw new ConfigException("--scenarios " + root + ": not a directory of compiled classes or a .jar");
        }
        if (Files.isRegularFile(root)) {
            // JUnit would only log a stack trace for a jar it cannot open, and find nothing in it
            try (ZipFile jar = new ZipFile(root.toFile())) {
                jar.size();
            } catch (IOException e) {
                throw new ConfigException("--scenarios " + root + ": not a readable jar (" + e.getMessage() + ")");
            }
        }
        return root.toAbsolutePath().normalize();
    }

    /** Opens {@code root}'s classes (null: the built-in scenarios, already on the class path). */
    static ScenarioClassPath open(Path root) {
        if (root == null) {
            return new ScenarioClassPath(null);
        }
        try {
            URL url = root.toUri().toURL();
            return new ScenarioClassPath(new URLClassLoader("scenarios " + root, new URL[] {url}, ScenarioClassPath.class.getClassLoader()));
        } catch (MalformedURLException e) {
            throw new ConfigException("--scenarios " + root + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (loader == null) {
            return;
        }
        thread.setContextClassLoader(previous);
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the class loader of " + loader.getName(), e);
        }
    }
}
