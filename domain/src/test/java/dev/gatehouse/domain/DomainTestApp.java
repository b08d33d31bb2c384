package dev.gatehouse.domain;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest app that carries the domain core: the database, Redis and the domain's beans. */
@SpringBootApplication
public class DomainTestApp {
}
