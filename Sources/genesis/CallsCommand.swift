import ArgumentParser
import Foundation
import Genesis

/// `genesis calls`: the switch's channels as a table, once or refreshed.
struct CallsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls", abstract: "Show the channels of the switch (show channels as json).")

    @Flag(help: "Refresh every second until interrupted.")
    var watch = false

    @OptionGroup var server: ServerOptions

    static let columns = ["uuid", "direction", "callstate", "cid_num", "dest", "application", "created"]

    func run() async throws {
        let client = try await InboundClient.connect(server.configuration())
        defer { client.close() }
        repeat {
            let rows = try Self.rows(fromShowChannelsJSON: try await client.api("show channels as json"))
            if watch { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(Self.table(rows))
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch && !Task.isCancelled
    }

    /// FreeSWITCH answers `{"row_count":N,"rows":[{…}]}`, or `{"row_count":0}`
    /// with no rows at all.
    static func rows(fromShowChannelsJSON text: String) throws -> [[String: String]] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ValidationError("show channels as json: not a JSON object")
        }
        let rows = object["rows"] as? [[String: Any]] ?? []
        return rows.map { row in row.mapValues { "\($0)" } }
    }

    static func table(_ rows: [[String: String]]) -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, column) in columns.enumerated() {
                widths[index] = max(widths[index], row[column, default: ""].count)
            }
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        }
        var lines = [line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map { row in line(columns.map { row[$0, default: ""] }) }
        lines.append("\(rows.count) channel(s)")
        return lines.joined(separator: "\n")
    }
}
