package dev.gatehouse.nodeagent.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.nodeagent.enroll.Enroller;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A renewal interrupted at any point leaves a key and a certificate that belong together. */
class NodeIdentityTest {

    @TempDir
    Path state;

    private final UUID node = UUID.randomUUID();

    private String certificate(KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=test");
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(3600)), name,
                keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(
                        GeneralName.uniformResourceIdentifier, "spiffe://gatehouse/node/" + node)));
        return NodeIdentity.pemOf(new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))));
    }

    @Test
    void aStoredIdentityLoadsWithItsOwnKey() throws Exception {
        KeyPair keys = Enroller.keyPair();
        NodeIdentity.store(state, keys.getPrivate(), certificate(keys), certificate(keys), "127.0.0.1:9443");
        NodeIdentity loaded = NodeIdentity.load(state);
        assertThat(loaded.nodeId()).isEqualTo(node);
        assertThat(loaded.key()).isEqualTo(keys.getPrivate());
        assertThat(Files.exists(state.resolve("node.key.next"))).isFalse();
    }

    @Test
    void aRenewalCutOffBeforeItsCertificateKeepsTheOldPair() throws Exception {
        KeyPair old = Enroller.keyPair();
        NodeIdentity.store(state, old.getPrivate(), certificate(old), certificate(old), "127.0.0.1:9443");
        // The new key was written, then the process died before the new certificate.
        KeyPair renewed = Enroller.keyPair();
        Files.writeString(state.resolve("node.key.next"), NodeIdentity.pemOf(renewed.getPrivate()));
        assertThat(NodeIdentity.load(state).key()).isEqualTo(old.getPrivate());
        assertThat(Files.exists(state.resolve("node.key.next"))).isFalse();
    }

    @Test
    void aRenewalCutOffAfterItsCertificateTakesTheNewPair() throws Exception {
        KeyPair old = Enroller.keyPair();
        NodeIdentity.store(state, old.getPrivate(), certificate(old), certificate(old), "127.0.0.1:9443");
        // The new key and certificate were written, then the process died before the key's rename.
        KeyPair renewed = Enroller.keyPair();
        Files.writeString(state.resolve("node.key.next"), NodeIdentity.pemOf(renewed.getPrivate()));
        Files.writeString(state.resolve("node.crt"), certificate(renewed));
        assertThat(NodeIdentity.load(state).key()).isEqualTo(renewed.getPrivate());
        assertThat(NodeIdentity.load(state).key()).as("the rename was finished").isEqualTo(renewed.getPrivate());
        assertThat(NodeIdentity.certifies(certificate(renewed), renewed.getPublic())).isTrue();
        assertThat(NodeIdentity.certifies(certificate(renewed), old.getPublic())).isFalse();
    }
}
