package dev.sysextharness.flavor;

/** Exactly one of the two, matching the flavor's family. */
public record ImageSource(ReferenceImageSpec reference, KairosImageSpec kairos) {

    public ImageSource {
        if ((reference == null) == (kairos == null)) {
            throw new IllegalArgumentException("expected exactly one of 'reference' or 'kairos'");
        }
    }
}
