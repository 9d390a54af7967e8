import ArgumentParser
import Genesis

/// `--format plain|json|xml` on the command line.
enum EventFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case plain, json, xml

    var value: ESLEventFormat {
        switch self {
        case .plain: .plain
        case .json: .json
        case .xml: .xml
        }
    }
}
