package dev.gatehouse.scheduler.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Webhooks never reach the installation's own network unless it allows them. */
class WebhookTargetTest {

    @Test
    void internalAddressesAreRecognised() throws Exception {
        for (String internal : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fd00::1", "224.0.0.1"}) {
            assertThat(WebhookDeliveryTask.internal(InetAddress.getByName(internal))).as(internal).isTrue();
        }
        for (String external : new String[] {"93.184.216.34", "8.8.8.8", "100.128.0.1", "2606:4700::1111"}) {
            assertThat(WebhookDeliveryTask.internal(InetAddress.getByName(external))).as(external).isFalse();
        }
    }

    @Test
    void aUrlOnLoopbackIsRefusedWithItsReason() {
        assertThat(WebhookDeliveryTask.refusedTarget("http://127.0.0.1:8083/actuator/health"))
                .isEqualTo("refused: 127.0.0.1 resolves to an internal address (127.0.0.1)");
        assertThat(WebhookDeliveryTask.refusedTarget("http://localhost/hook")).startsWith("refused: localhost");
        assertThat(WebhookDeliveryTask.refusedTarget("https://93.184.216.34/hook")).isNull();
    }
}
