package dev.gatehouse.core.clientip;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.InvalidAddressException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cloudflare's edge ranges: the snapshot shipped with Gatehouse, or a list refreshed by
 * {@code gatehouse-admin cloudflare-ranges --update}. Format: one CIDR per line; {@code #} comments;
 * a {@code # snapshot: DATE} line says when the list was taken.
 */
public record CloudflareRanges(List<Cidr> networks, String snapshotDate, String source) {
    static final String RESOURCE = "/dev/gatehouse/core/clientip/cloudflare-ranges.txt";

    /** The snapshot inside the jar. */
    public static CloudflareRanges snapshot() {
        try (InputStream in = CloudflareRanges.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in snapshot");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refreshed file, or the snapshot when {@code file} is null. */
    public static CloudflareRanges load(Path file) {
        if (file == null) {
            return snapshot();
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Parses the list; refuses an empty list or any line that is not a network. */
    public static CloudflareRanges parse(String text, String source) {
        List<Cidr> networks = new ArrayList<>();
        String date = "unknown";
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            String l = line.strip();
            if (l.startsWith("# snapshot:")) {
                date = l.substring("# snapshot:".length()).strip();
            }
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            try {
                networks.add(Cidr.parse(l));
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": " + e.getMessage());
            }
        }
        if (networks.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no networks");
        }
        return new CloudflareRanges(List.copyOf(networks), date, source);
    }

    /** The file format: header comments and one network per line. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Cloudflare edge ranges (https://www.cloudflare.com/ips-v4 and ips-v6).\n");
        sb.append("# snapshot: ").append(snapshotDate).append('\n');
        for (Cidr c : networks) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
