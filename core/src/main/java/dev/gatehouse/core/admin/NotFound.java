package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;

/** A named thing (organisation, account, policy...) that does not exist: exit 1 with its name. */
public final class NotFound extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public NotFound(String message) {
        super(message);
    }
}
