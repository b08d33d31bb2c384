package dev.gatehouse.controlapi.job;

import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import dev.gatehouse.controlapi.web.Page;
import dev.gatehouse.controlapi.web.PageRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** /jobs: the scheduler's jobs and their runs, for platform admins (checked by the service); read-only. */
@RestController
class JobController {

    private final JobService service;

    JobController(JobService service) {
        this.service = service;
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List the scheduler's jobs by name: schedule, next fire time, last run, runs and failures in the last 24 hours (platform admins)")
    @GetMapping("/jobs")
    @AuthenticatedRoute
    Page<JobDtos.JobResponse> list(@Valid PageRequest page) {
        return service.list(page);
    }

    @io.swagger.v3.oas.annotations.Operation(summary = "List a job's runs, newest first (platform admins)")
    @GetMapping("/jobs/{name}/runs")
    @AuthenticatedRoute
    Page<JobDtos.JobRunResponse> listJobRuns(@PathVariable @Size(max = 200) String name, @Valid PageRequest page) {
        return service.runs(name, page);
    }
}
