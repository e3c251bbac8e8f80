-- Sends the requests listed in a file (one per line, fields separated by a
-- tab: method, path, cookie, csrf token, body), each once and in order, then
-- starts over. Formatting happens in init(), so the generator stays cheap.
local requests = {}
local n = 0
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, cookie, csrf, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = "quiz_session=" .. cookie end
    if csrf ~= "" then headers["X-CSRFToken"] = csrf end
    if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    n = n + 1
    requests[n] = wrk.format(method, path, headers, body ~= "" and body or nil)
  end
end

function request()
  i = i % n + 1
  return requests[i]
end
