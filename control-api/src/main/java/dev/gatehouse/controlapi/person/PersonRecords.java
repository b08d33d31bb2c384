package dev.gatehouse.controlapi.person;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;

/** People, through Spring Data JPA: reads and lists; every write goes through {@link People}. */
public interface PersonRecords extends JpaRepository<Person, UUID>, JpaSpecificationExecutor<Person> {
}
