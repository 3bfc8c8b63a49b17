package dev.gatehouse.admin.cli;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.InvalidAddressException;
import java.util.ArrayList;
import java.util.List;

/** Networks given on the command line: each parsed, a bad one named with the reason (exit 2). */
public final class CidrArguments {
    private CidrArguments() {
    }

    public static List<Cidr> parse(String option, List<String> values) {
        List<Cidr> out = new ArrayList<>();
        if (values == null) {
            return out;
        }
        for (String v : values) {
            for (String one : v.split(",")) {
                if (one.isBlank()) {
                    continue;
                }
                try {
                    out.add(Cidr.parse(one.trim()));
                } catch (InvalidAddressException e) {
                    throw new UsageException(option + ": " + e.getMessage());
                }
            }
        }
        return out;
    }
}
