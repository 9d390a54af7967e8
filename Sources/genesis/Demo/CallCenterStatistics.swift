import Synchronization
import Genesis

/// The call center's live counts, shared by every call's task, the
/// progress display and the summary.
final class CallCenterStatistics: Sendable {
    private let state = Lock(CallCenterSnapshot())

    func update(_ change: (inout CallCenterSnapshot) -> Void) {
        state.withLock { change(&$0) }
    }

    var snapshot: CallCenterSnapshot { state.withLock { $0 } }
}
