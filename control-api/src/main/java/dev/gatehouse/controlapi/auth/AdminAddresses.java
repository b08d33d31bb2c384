package dev.gatehouse.controlapi.auth;

import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.web.CidrSet;
import java.net.InetAddress;
import org.springframework.stereotype.Component;

/** The addresses administrators may use the API from; an empty list allows every address. */
@Component
class AdminAddresses {

    private final CidrSet allowed;

    AdminAddresses(ControlApiProperties properties) {
        this.allowed = CidrSet.parse("gatehouse.control-api.network.admin-allowlist",
                properties.network().adminAllowlist());
    }

    boolean allows(InetAddress address) {
        return allowed.isEmpty() || (address != null && allowed.contains(address));
    }
}
