package dev.sysextharness.flavor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** SSH password login, as on Kairos (a user in group admin with passwordless sudo). */
public record Login(
        @JsonProperty(required = true) String user,
        @JsonProperty(required = true) String password) {

    public Login {
        Require.nonBlank(user, "user");
        Require.nonBlank(password, "password");
    }
}
