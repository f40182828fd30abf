import Foundation

/// The width, in columns, that the devnet's closing tables must fit.
public enum TerminalWidth {
    /// When nothing says otherwise: the classic terminal width.
    public static let columnsDefault = 80

    /// `COLUMNS` when it is set to a positive number; else the width of standard output when it is
    /// a terminal; else ``columnsDefault``.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return columnsDefault
    }

    /// The widest line of `text`, in characters.
    public static func widest(_ text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0
    }
}
