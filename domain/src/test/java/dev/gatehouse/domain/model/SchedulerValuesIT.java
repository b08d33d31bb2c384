package dev.gatehouse.domain.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.domain.DomainIT;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The enums control-api and the scheduler share hold exactly the values the schema allows. */
class SchedulerValuesIT extends DomainIT {

    private static final Pattern LITERAL = Pattern.compile("'([^']*)'");

    @Test
    void notificationKindsAreTheKindsTheSchemaAccepts() {
        String function = jdbc.sql("SELECT pg_get_functiondef('gatehouse_valid_notification_kinds'::regproc)")
                .query(String.class).single();
        assertThat(literals(function)).containsExactlyElementsOf(values(NotificationKind.class));
    }

    @Test
    void deliveryStatusesAreTheStatusesTheSchemaAccepts() {
        assertThat(literals(check("webhook_deliveries", "status"))).containsExactlyElementsOf(
                values(WebhookDeliveryStatus.class));
    }

    @Test
    void jobRunOutcomesAreTheOutcomesTheSchemaAccepts() {
        assertThat(literals(check("job_runs", "outcome"))).containsExactlyElementsOf(values(JobRunOutcome.class));
    }

    /** The definition of the table's one check constraint on the column. */
    private String check(String table, String column) {
        return jdbc.sql("""
                        SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                        WHERE c.conrelid = CAST(? AS regclass) AND c.contype = 'c'
                          AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                                WHERE attrelid = CAST(? AS regclass) AND attname = ?)]""")
                .params(table, table, column).query(String.class).single();
    }

    private static List<String> literals(String sql) {
        Matcher m = LITERAL.matcher(sql);
        return m.results().map(r -> r.group(1)).toList();
    }

    private static <E extends Enum<E> & DbEnum> List<String> values(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(DbEnum::db).toList();
    }
}
