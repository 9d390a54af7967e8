/// A load-test destination: each call rings for a random time, then answers
/// with `answerProbability` (and hangs up after a random talk time) or gives
/// up with NO_ANSWER. Draws come from the directory's seeded generator, so a
/// seed reproduces a run.
public struct RandomCallProfile: Sendable, Equatable {
    public var answerProbability: Double
    public var ringMilliseconds: ClosedRange<Int>
    public var talkMilliseconds: ClosedRange<Int>

    public init(answerProbability: Double = 0.8, ringMilliseconds: ClosedRange<Int> = 0...3_000,
                talkMilliseconds: ClosedRange<Int> = 5_000...60_000) {
        self.answerProbability = answerProbability
        self.ringMilliseconds = ringMilliseconds
        self.talkMilliseconds = talkMilliseconds
    }

    /// One call's script.
    func script(using generator: inout SeededRandomGenerator) -> [DialplanStep] {
        let ring = Int.random(in: ringMilliseconds, using: &generator)
        let answers = Double.random(in: 0..<1, using: &generator) < answerProbability
        var steps = [DialplanStep("ring_ready"), DialplanStep("sleep", String(ring))]
        if answers {
            let talk = Int.random(in: talkMilliseconds, using: &generator)
            steps += [DialplanStep("answer"), DialplanStep("sleep", String(talk)), DialplanStep("hangup")]
        } else {
            steps.append(DialplanStep("hangup", "NO_ANSWER"))
        }
        return steps
    }
}
