/// The events of one connection, in the order FreeSWITCH sent them.
///
/// Iterate it with `for try await`. It ends when the connection closes: with
/// no error after a close you asked for, otherwise with the ``ESLError`` that
/// ended the connection. While nobody iterates, events wait in a bounded
/// buffer and then the socket is no longer read, so a slow consumer slows
/// FreeSWITCH's sending instead of growing memory.
public struct ESLEventStream: AsyncSequence, Sendable {
    public typealias Element = ESLEvent

    let buffer: EventBuffer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: buffer)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: EventBuffer
        private var batch: [ESLEvent] = []
        private var index = 0

        init(buffer: EventBuffer) {
            self.buffer = buffer
        }

        public mutating func next() async throws -> ESLEvent? {
            if index == batch.count {
                // Drop the consumed batch before waiting: its events pin
                // their read slabs, which an idle connection must not hold.
                batch = []
                batch = try await buffer.takeAll()
                index = 0
                if batch.isEmpty { return nil }
            }
            defer { index += 1 }
            return batch[index]
        }
    }
}
