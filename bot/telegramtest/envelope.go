package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an unsuccessful answer in Telegram's envelope.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Description) }

var (
	errNotFound     = &apiError{Code: 404, Description: "Not Found"}
	errUnauthorized = &apiError{Code: 401, Description: "Unauthorized"}
	errBlocked      = &apiError{Code: 403, Description: "Forbidden: bot was blocked by the user"}
	errChatNotFound = &apiError{Code: 400, Description: "Bad Request: chat not found"}
)

func badRequest(format string, args ...any) *apiError {
	return &apiError{Code: 400, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{
		Code:        429,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

type envelope struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := envelope{ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		env.Parameters = &responseParams{RetryAfter: e.RetryAfter}
	}
	writeJSON(w, e.Code, env)
}

func writeJSON(w http.ResponseWriter, status int, v envelope) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own result types get here; failing to encode them is a bug
		// in this package, not in the bot under test.
		panic(fmt.Sprintf("telegramtest: encoding response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
