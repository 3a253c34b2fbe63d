package dev.sysextharness.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which form of the author's extension ({@code run --extension}) a certification scenario ships: an OCI image (from
 * a definition directory or the author's image) or the author's .raw file as it is. A scenario for the other form
 * is skipped with the reason.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface Certifies {
    Form value();

    enum Form {
        OCI_IMAGE("an OCI image or a definition directory"),
        RAW_FILE("a .raw image file");

        private final String text;

        Form(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }
}
