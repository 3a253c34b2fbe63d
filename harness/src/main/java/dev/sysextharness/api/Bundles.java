package dev.sysextharness.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The node of this scenario is installed with these extensions as cloud-config {@code install.bundles}
 * (rootfs_path /var/lib/extensions/&lt;extensionName&gt;), the way Kairos installs them.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface Bundles {
    /** Extension definition names under images/extensions/. */
    String[] value();
}
