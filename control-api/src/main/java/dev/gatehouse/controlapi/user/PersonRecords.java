package dev.gatehouse.controlapi.user;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** People, through Spring Data JPA; used by {@link UserRepository}. */
interface PersonRecords extends JpaRepository<Person, UUID>, JpaSpecificationExecutor<Person> {
}
