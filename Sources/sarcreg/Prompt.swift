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
    static func value(
        _ given: String?, option: String, question: String, allowed: String? = nil, secret: Bool = false
    ) throws -> String {
        if let given { return given }
        guard isInteractive else {
            throw ValidationError("missing \(option) (no terminal to ask on; pass \(option) in scripts)")
        }
        let hint = allowed.map { " [\($0)]" } ?? ""
        FileHandle.standardError.write(Data("\(question)\(hint): ".utf8))
        let answer = secret ? readWithoutEcho() : readLine(strippingNewline: true)
        guard let answer, !answer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("no value given for \(option)")
        }
        return answer
    }

    /// Reads a line with terminal echo off, for the medical record number.
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
