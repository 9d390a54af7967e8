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
        /// The batches taken last (one per socket read), and the next event's place.
        private var batches: [[ESLEvent]] = []
        private var batchIndex = 0
        private var index = 0

        init(buffer: EventBuffer) {
            self.buffer = buffer
        }

        public mutating func next() async throws -> ESLEvent? {
            while batchIndex < batches.count {
                if index < batches[batchIndex].count {
                    defer { index += 1 }
                    return batches[batchIndex][index]
                }
                batchIndex += 1
                index = 0
            }
            // Drop the consumed batches before waiting: their events pin
            // their read slabs, which an idle connection must not hold.
            batches = []
            batches = try await buffer.takeAll()
            batchIndex = 0
            index = 1
            // Batches are never empty; no batch at all is the end.
            guard let first = batches.first?.first else { return nil }
            return first
        }
    }
}
