package app

// CatchUp catches up with the store once, now, as a poll does; tests that
// count store calls turn polling off and call it.
func (a *App) CatchUp() { a.catchUp() }
