package app

// CatchUp catches up with the store once, now, as a poll does; tests that
// count store calls turn polling off and call it.
func (a *App) CatchUp() { a.catchUp() }

// CatchUpBatch is the most change log entries a catch-up applies at once.
const CatchUpBatch = catchUpBatch
