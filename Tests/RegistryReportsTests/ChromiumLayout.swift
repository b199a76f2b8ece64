import Foundation

/// Where headless Chromium put the report's plot elements: the page is rendered by a real browser with
/// real fonts, and a script appended to a copy of the page writes every labelled element's box into it.
struct PageLayout: Decodable {
    struct Box: Decodable, CustomStringConvertible {
        let x: Double
        let y: Double
        let width: Double
        let height: Double

        var right: Double { x + width }
        var bottom: Double { y + height }
        var centreX: Double { x + width / 2 }
        var isVisible: Bool { width > 0 && height > 0 }

        /// Overlap by more than `tolerance` pixels in both directions; labels that only touch do not count.
        func intersects(_ other: Box, tolerance: Double = 0.5) -> Bool {
            min(right, other.right) - max(x, other.x) > tolerance
                && min(bottom, other.bottom) - max(y, other.y) > tolerance
        }

        func contains(_ other: Box, tolerance: Double = 0.5) -> Bool {
            other.x >= x - tolerance && other.right <= right + tolerance && other.y >= y - tolerance
                && other.bottom <= bottom + tolerance
        }

        var description: String { "(x \(Int(x)), y \(Int(y)), \(Int(width)) x \(Int(height)))" }
    }

    struct Text: Decodable {
        let role: String
        let text: String
        let box: Box
    }

    struct Shape: Decodable {
        let role: String
        let line: String
        let basis: String
        let box: Box
    }

    struct Figure: Decodable {
        let svg: Box
        let texts: [Text]
        let shapes: [Shape]

        func texts(_ role: String) -> [Text] { texts.filter { $0.role == role } }
        func shapes(_ role: String) -> [Shape] { shapes.filter { $0.role == role } }
    }

    /// By the figure's id: `waterfall`, `km-pfs`, `km-dor`, `km-os`, `swimmer`.
    let figures: [String: Figure]
}

/// Runs the Debian `chromium` package headless; a missing browser is a failure that says how to install it.
enum Chromium {
    static let missing =
        "Chromium is not installed, and the report layout tests need it to render the HTML report: "
        + "run Scripts/setup.sh --test-deps (Scripts/test.sh runs it), which installs the Debian package chromium"

    static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// Collects the boxes of the plots' texts and marks and writes them, base64 JSON, into the page, so that
    /// `--dump-dom` carries them out whatever characters the labels hold.
    static let layoutScript = """
        <script>
        (function () {
          const box = (element) => {
            const r = element.getBoundingClientRect();
            return { x: r.left, y: r.top, width: r.width, height: r.height };
          };
          const figures = {};
          for (const figure of document.querySelectorAll("figure[id]")) {
            const svg = figure.querySelector("svg");
            figures[figure.id] = {
              svg: box(svg),
              texts: [...svg.querySelectorAll("text")].map((e) => ({
                role: e.getAttribute("class") || "", text: e.textContent, box: box(e) })),
              shapes: [...svg.querySelectorAll(".axis, .curve, .bar, .lane, .pd-marker")].map((e) => ({
                role: e.getAttribute("class"), line: e.getAttribute("data-line") || "",
                basis: e.getAttribute("data-basis") || "", box: box(e) })),
            };
          }
          const bytes = new TextEncoder().encode(JSON.stringify({ figures }));
          let binary = "";
          for (const byte of bytes) binary += String.fromCharCode(byte);
          const out = document.createElement("pre");
          out.id = "layout";
          out.hidden = true;
          out.textContent = btoa(binary);
          document.body.appendChild(out);
        })();
        </script>
        """

    /// Renders `html` in headless Chromium and returns where its plot elements are; also writes the page
    /// and a PNG screenshot of it into `folder`, named after `name`, for a person to look at.
    static func layout(of html: String, name: String, in folder: URL) async throws -> PageLayout {
        guard let executable else { throw LayoutError(message: missing) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("\(name).html")
        guard let end = html.range(of: "</body>", options: .backwards) else {
            throw LayoutError(message: "the report has no </body>")
        }
        try Data(html.replacingCharacters(in: end, with: layoutScript + "\n</body>").utf8).write(to: page)
        // One run writes both the DOM and the screenshot; a profile folder of its own, as runs go side by side.
        let profile = folder.appendingPathComponent("\(name)-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        let dom = try await run(
            executable,
            [
                "--user-data-dir=\(profile.path)", "--dump-dom",
                "--screenshot=" + folder.appendingPathComponent("\(name).png").path,
                "--window-size=1000,4400", "--hide-scrollbars", page.absoluteString,
            ])
        guard let element = dom.range(of: "<pre id=\"layout\""),
            let start = dom.range(of: ">", range: element.upperBound..<dom.endIndex),
            let stop = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex),
            let json = Data(base64Encoded: String(dom[start.upperBound..<stop.lowerBound]))
        else {
            throw LayoutError(message: "Chromium's DOM of \(page.path) has no layout block: the script did not run")
        }
        return try JSONDecoder().decode(PageLayout.self, from: json)
    }

    /// One headless run, killed after 60 s; stderr holds D-Bus noise on a machine without a session bus
    /// and is shown only for a failure. `--no-sandbox` because the test suite may run as root.
    private static func run(_ executable: URL, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            process.terminate()
        }
        async let errors = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let output = await Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        let errorText = String(decoding: await errors, as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationStatus == 0 else {
            throw LayoutError(
                message: "\(executable.path) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                    + errorText.suffix(2000))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

struct LayoutError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
