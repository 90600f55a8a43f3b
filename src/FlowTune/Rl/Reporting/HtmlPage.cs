using System.Net;

namespace FlowTune.Rl.Reporting;

/// <summary>
/// The frame of FlowTune's self-contained HTML reports: one page, inline style, no script, and a content security
/// policy that lets the browser load nothing from outside the page (images only as <c>data:</c> URIs).
/// </summary>
public static class HtmlPage
{
    /// <summary>The policy in every page's meta tag: nothing but inline style and data: images.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

    /// <summary>HTML-escapes <paramref name="text"/> (element text and quoted attribute values alike).</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A whole page titled <paramref name="title"/> (escaped) around <paramref name="body"/> (HTML, not escaped).</summary>
    public static string Wrap(string title, string body) =>
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        + $"<meta http-equiv='Content-Security-Policy' content=\"{ContentSecurityPolicy}\">"
        + $"<title>{Escape(title)}</title><style>{Style}</style></head><body>{body}</body></html>";

    /// <summary>A PNG file as a <c>data:</c> URI.</summary>
    public static string PngDataUri(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    private const string Style =
        "body{font-family:sans-serif;margin:24px;max-width:1600px;color:#222}"
        + "h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}"
        + "pre{background:#f6f6f6;padding:12px;overflow:auto;font-size:12px}"
        + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        + "th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}"
        + ".charts{display:flex;flex-wrap:wrap;gap:16px}.grids{display:flex;flex-wrap:wrap;gap:12px}"
        + "figure{margin:0}figcaption{font-size:12px;text-align:center}img.grid{image-rendering:pixelated;border:1px solid #ccc}"
        + ".note{color:#555;font-size:13px}";
}
