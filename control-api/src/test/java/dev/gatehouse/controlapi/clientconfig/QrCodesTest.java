package dev.gatehouse.controlapi.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class QrCodesTest {

    private static final String CONF = """
            [Interface]
            PrivateKey = 7rhzn4H0juvlQ1cjkG/3bdlOcb5NlrszpU5MrTkl5AE=
            Address = 10.66.0.2/32

            [Peer]
            PublicKey = hBnLK4lSNa0r3D+qk1uAXlVwFRvtnzBzmwdR1c1xvQ4=
            Endpoint = ams1.example.net:51820
            """;

    @Test
    void thePngDecodesBackToTheConfig() throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(new QrCodes().png(CONF, 4)));
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        var bitmap = new BinaryBitmap(new HybridBinarizer(
                new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
        assertThat(new QRCodeReader().decode(bitmap).getText()).isEqualTo(CONF);
    }

    @Test
    void theSvgDrawsEveryDarkModuleOfTheSameMatrix() {
        QrCodes qr = new QrCodes();
        var matrix = qr.matrix(CONF);
        int dark = 0;
        for (int y = 0; y < matrix.getHeight(); y++) {
            for (int x = 0; x < matrix.getWidth(); x++) {
                dark += matrix.get(x, y) ? 1 : 0;
            }
        }
        String svg = qr.svg(CONF);
        assertThat(svg.split("h1v1h-1z", -1)).hasSize(dark + 1);
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
                + (matrix.getWidth() + 8) + " ");
    }
}
