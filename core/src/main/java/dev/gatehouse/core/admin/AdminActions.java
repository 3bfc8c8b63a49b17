package dev.gatehouse.core.admin;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The admin_actions log read back per organisation (who changed what, when: resets and restores included), and the
 * operator console's page views written to it. Reads walk the (at) index over a bounded window.
 */
public final class AdminActions {
    /** The command a console page view is recorded under. */
    public static final String CONSOLE_VIEW = "console view";

    /**
     * One row; {@code before} and {@code after} as the JSON text stored.
     *
     * @param target what the command named: an organisation, {@code Org/thing}, or "all organisations"
     */
    public record Action(long id, Instant at, String actor, String command, String target, String before,
                         String after) {
    }

    private final DataSource ds;

    public AdminActions(DataSource ds) {
        this.ds = ds;
    }

    /**
     * The actions on organisation {@code org} (its name, or a thing in it, or every organisation) since
     * {@code since}, newest first. Console page views are left out: they change nothing.
     */
    public List<Action> ofOrganisation(String org, Instant since, int limit) {
        String like = org.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%";
        return Tx.run(ds, c -> Rows.list(c, Action.class, "SELECT id, at, actor, command, target, before::text AS before,"
                + " after::text AS after FROM admin_actions WHERE at >= ? AND command <> ?"
                + " AND (target = ? OR target LIKE ? ESCAPE '\\' OR target = 'all organisations')"
                + " ORDER BY at DESC, id DESC LIMIT ?", Timestamp.from(since), CONSOLE_VIEW, org, like, limit));
    }

    /** Records that {@code actor} viewed {@code page} of the console from {@code clientIp}. */
    public void recordView(String actor, String page, String clientIp) {
        Tx.run(ds, c -> {
            AdminLog.record(c, actor, CONSOLE_VIEW, page, null, Map.of("client_ip", clientIp));
            return null;
        });
    }
}
