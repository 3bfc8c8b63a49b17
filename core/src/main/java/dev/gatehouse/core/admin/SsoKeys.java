package dev.gatehouse.core.admin;

import dev.gatehouse.core.sso.KeyEncryption;
import java.util.List;
import javax.sql.DataSource;

/** The single sign-on keys the gateways share in {@code sso_keys}, as {@code sso check} reports them: never their material. */
public final class SsoKeys {
    /**
     * How the keys are stored, expired ones included (still in the table for a day, so in a dump too).
     *
     * @param keyEncryptionKeys the ids of the key-encryption keys the encrypted ones are under: one, when all is well
     */
    public record Storage(long plain, long encrypted, List<String> keyEncryptionKeys) {
    }

    private SsoKeys() {
    }

    public static Storage storage(DataSource ds) {
        String encrypted = KeyEncryption.ENCRYPTED_SQL;
        return Tx.run(ds, c -> Rows.list(c, Storage.class, "SELECT count(*) FILTER (WHERE NOT " + encrypted + ") AS plain,"
                + " count(*) FILTER (WHERE " + encrypted + ") AS encrypted,"
                + " coalesce(array_agg(DISTINCT split_part(material, ':', 2)) FILTER (WHERE " + encrypted + "), '{}')"
                + " AS key_encryption_keys FROM sso_keys").get(0));
    }
}
