package dev.gatehouse.core.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class its own migrated database:
 * {@code @RegisterExtension static final DatabaseExtension db = new DatabaseExtension();}
 */
public final class DatabaseExtension implements BeforeAllCallback, AfterAllCallback {
    private final boolean migrated;
    private TestDatabase database;

    public DatabaseExtension() {
        this(true);
    }

    private DatabaseExtension(boolean migrated) {
        this.migrated = migrated;
    }

    /** A database with no schema at all. */
    public static DatabaseExtension empty() {
        return new DatabaseExtension(false);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String hint = context.getRequiredTestClass().getSimpleName();
        database = migrated ? TestDatabases.create(hint) : TestDatabases.createEmpty(hint);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (database != null) {
            TestDatabases.drop(database);
        }
    }

    public TestDatabase database() {
        if (database == null) {
            throw new IllegalStateException("the database exists from beforeAll on: register the extension as a static field");
        }
        return database;
    }
}
