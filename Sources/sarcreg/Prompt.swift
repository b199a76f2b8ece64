import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks on the terminal for values not given as options; in a script it never asks.
struct Prompt {
    /// True only when both standard input and standard error are terminals, so cron jobs, pipes and
    /// tests never block on a question.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

    /// The given value, or the answer typed at the terminal, or a usage error naming the option.
    /// - Parameter check: returns why an answer is refused, so the terminal asks again instead of failing
    ///   after every question; the service validates everything again in any case.
    static func value(
        _ given: String?, option: String, question: String, allowed: String? = nil, secret: Bool = false,
        check: (String) -> String? = { _ in nil }
    ) throws -> String {
        if let given { return given }
        guard isInteractive else {
            throw ValidationError("missing \(option) (no terminal to ask on; pass \(option) in scripts)")
        }
        let hint = allowed.map { " [\($0)]" } ?? ""
        while true {
            FileHandle.standardError.write(Data("\(question)\(hint): ".utf8))
            let answer = secret ? readWithoutEcho() : readLine(strippingNewline: true)
            guard let answer, !answer.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("no value given for \(option)")
            }
            guard let problem = check(answer) else { return answer }
            FileHandle.standardError.write(Data("\(problem)\n".utf8))
        }
    }

    /// Asks on the terminal with echo off (a database password); an empty answer is refused.
    static func secret(_ question: String) throws -> String {
        FileHandle.standardError.write(Data("\(question): ".utf8))
        guard let answer = readWithoutEcho(), !answer.isEmpty else { throw ValidationError("no password given") }
        return answer
    }

    /// Reads a line with terminal echo off, for the medical record number and a database password.
    private static func readWithoutEcho() -> String? {
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }
}
