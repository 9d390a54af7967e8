import Genesis
import Testing

@Suite struct ThreadLockTests {
    final class Counter: Sendable {
        let value = ThreadLock(0)
    }

    enum Refusal: Error, Equatable { case no }

    @Test func incrementsFromManyTasksAreAllCounted() async {
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<5_000 { counter.value.withLock { $0 += 1 } } }
            }
        }
        #expect(counter.value.withLock { $0 } == 40_000)
    }

    @Test func aThrowingBodyKeepsItsChangeAndReleasesTheLock() {
        let counter = Counter()
        #expect(throws: Refusal.no) {
            try counter.value.withLock { (value: inout Int) throws(Refusal) in
                value = 7
                throw Refusal.no
            }
        }
        // Not deadlocked, and the change made before the throw stays.
        #expect(counter.value.withLock { $0 } == 7)
    }
}
