package dev.gatehouse.scheduler.job;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.stereotype.Component;

/** This scheduler process as job_runs and job_leases name it: host and process id. */
@Component
public class SchedulerInstance {

    private final String name;

    public SchedulerInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        this.name = host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    public String name() {
        return name;
    }
}
