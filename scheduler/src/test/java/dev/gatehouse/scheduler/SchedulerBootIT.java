package dev.gatehouse.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testkit.ActuatorProbe;
import org.junit.jupiter.api.Test;

/** scheduler boots against real PostgreSQL and Redis, serves health and metrics, and lists its jobs. */
class SchedulerBootIT extends SchedulerIT {

    @Test
    void healthIsUpWithDatabaseAndRedis() throws Exception {
        ActuatorProbe.assertHealthUp(port, "db", "redis");
    }

    @Test
    void prometheusMetricsAreServedAsText() throws Exception {
        ActuatorProbe.assertPrometheusText(port);
    }

    @Test
    void everyJobIsRecordedWithItsSchedule() {
        assertThat(jdbc.sql("SELECT job FROM scheduler_jobs").query(String.class).list())
                .containsAll(tasks.stream().map(t -> t.name()).toList());
        assertThat(jdbc.sql("SELECT schedule FROM scheduler_jobs WHERE job = 'lifecycle'").query(String.class).single())
                .isEqualTo("every 30s");
        assertThat(jdbc.sql("SELECT count(*) FROM qrtz_triggers WHERE trigger_name = 'rollups'").query(Long.class)
                .single()).isEqualTo(1);
    }
}
