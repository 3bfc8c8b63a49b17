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

    /**
     * Warnings for entries that do more than they seem to: {@code ::/0} covers no IPv4 client (an IPv4-mapped address
     * is matched as IPv4), {@code 0.0.0.0/0} every IPv4 one. Printed on stderr; the change goes ahead.
     */
    public static List<String> warnings(List<Cidr> allow, List<Cidr> deny) {
        List<String> out = new ArrayList<>();
        for (Cidr c : allow) {
            String s = c.toString();
            if (s.equals("::/0")) {
                out.add("allow ::/0 covers every IPv6 client and no IPv4 one (IPv4 clients, ::ffff:a.b.c.d included, are"
                        + " matched as IPv4): add 0.0.0.0/0 to allow everyone");
            } else if (s.equals("0.0.0.0/0")) {
                out.add("allow 0.0.0.0/0 allows every IPv4 client: this entry restricts nobody over IPv4");
            }
        }
        for (Cidr c : deny) {
            String s = c.toString();
            if (s.equals("0.0.0.0/0") || s.equals("::/0")) {
                out.add("deny " + s + " denies every " + (s.equals("::/0") ? "IPv6" : "IPv4") + " client of the policy's"
                        + " scope, admins included (the lockout guard refuses it when an admin seen lately would be denied)");
            }
        }
        return out;
    }
}
