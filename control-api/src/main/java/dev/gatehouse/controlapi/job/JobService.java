package dev.gatehouse.controlapi.job;

import dev.gatehouse.controlapi.access.AccessPolicy;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What the scheduler runs and how its runs went, for platform admins; read-only. */
@Service
class JobService {

    private static final Duration RECENT = Duration.ofHours(24);

    private final JobRepository jobs;
    private final AccessPolicy access;
    private final Clock clock;

    JobService(JobRepository jobs, AccessPolicy access, Clock clock) {
        this.jobs = jobs;
        this.access = access;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    Page<JobDtos.JobResponse> list(PageRequest page) {
        access.requirePlatformAdmin();
        Page<JobRepository.Job> found = jobs.list(clock.instant().minus(RECENT), page);
        return new Page<>(found.items().stream().map(JobDtos.JobResponse::of).toList(), found.total(), page);
    }

    @Transactional(readOnly = true)
    Page<JobDtos.JobRunResponse> runs(String name, PageRequest page) {
        access.requirePlatformAdmin();
        if (!jobs.exists(name)) {
            throw ApiException.notFound("job");
        }
        Page<JobRepository.Run> found = jobs.runs(name, page);
        return new Page<>(found.items().stream().map(JobDtos.JobRunResponse::of).toList(), found.total(), page);
    }
}
