package parse

import "math"

// Coordinates checks a point on the map: a latitude within ±90 and a
// longitude within ±180 degrees (location.range). Telegram's own location
// messages always are; this guards every other way a point can arrive (a
// script talking to the bot's API, the demo and load test, a typed pair).
func Coordinates(lat, lon float64) error {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return Fail(CodeLocationRange)
	}
	return nil
}
