package dev.gatehouse.controlapi.clientconfig;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

/** The page a browser gets at /sub/{token}: usage, expiry, and a QR code and copyable text per config. */
@Component
class SubscriptionPage {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final QrCodes qr;

    SubscriptionPage(QrCodes qr) {
        this.qr = qr;
    }

    /** One thing to import: its title and text (a share link or a WireGuard conf). */
    record Item(String title, String text) {
    }

    String render(ClientModel.Holder holder, String title, List<Item> items) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>""").append(esc(title)).append("""
                </title>
                <style>
                body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
                .card{border:1px solid #d5dbe3;border-radius:.6rem;padding:1rem;margin:1rem 0}
                .usage{display:flex;gap:2rem;flex-wrap:wrap} .usage div b{display:block;font-size:1.3rem}
                .qr svg{width:14rem;height:14rem} pre,textarea{width:100%;font-size:.8rem;white-space:pre-wrap;word-break:break-all}
                .state{text-transform:uppercase;font-weight:600}
                </style></head><body>
                """);
        html.append("<h1>").append(esc(title)).append("</h1>\n");
        html.append("<div class=\"card\"><p>").append(esc(holder.username())).append(" &middot; <span class=\"state\" id=\"state\">")
                .append(esc(holder.state().replace('_', ' '))).append("</span></p><div class=\"usage\">")
                .append("<div>Upload<b id=\"upload\">").append(bytes(holder.upload())).append("</b></div>")
                .append("<div>Download<b id=\"download\">").append(bytes(holder.download())).append("</b></div>")
                .append("<div>Data limit<b id=\"total\">")
                .append(holder.total() == null ? "unlimited" : bytes(holder.total())).append("</b></div>")
                .append("<div>Expires<b id=\"expires\">")
                .append(holder.expiresAt() == null ? "never" : esc(DATE.format(holder.expiresAt())))
                .append("</b></div></div></div>\n");
        if (items.isEmpty()) {
            html.append("<div class=\"card\" id=\"empty\"><p>There is nothing to connect with right now: the"
                    + " subscription is not active, or no server is assigned yet.</p></div>\n");
        }
        for (Item item : items) {
            html.append("<div class=\"card config\"><h2>").append(esc(item.title())).append("</h2><div class=\"qr\">")
                    .append(qr.svg(item.text())).append("</div><pre>").append(esc(item.text()))
                    .append("</pre></div>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    static String bytes(long value) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = value;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? value + " B" : String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    private static String esc(String s) {
        return HtmlUtils.htmlEscape(s == null ? "" : s);
    }

}
