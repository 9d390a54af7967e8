/// `printf("%.Nf")` for the few decimals FreeSWITCH prints (`Idle-CPU`,
/// `min idle cpu`), without pulling in Foundation.
enum FixedPointText {
    static func format(_ value: Double, decimals: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let negative = value < 0
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let whole = scaled / scale
        var fraction = String(scaled % scale)
        while fraction.count < decimals { fraction = "0" + fraction }
        return (negative ? "-" : "") + (decimals > 0 ? "\(whole).\(fraction)" : "\(whole)")
    }
}
