package dev.gatehouse.core.clientip;

import java.util.List;

/** Read access to a request's headers; names are matched case-insensitively. Keeps the model free of Netty. */
@FunctionalInterface
public interface Headers {
    /** Every value of the header, in the order received; empty when absent. */
    List<String> all(String name);
}
