-- cycle.lua for requests a page's script sends with fetch(): the same file
-- format (method, path, cookie, csrf token, body; tab-separated), every
-- request with the "X-Requested-With: fetch" header, as static/survey.js
-- sends its saves (without it a survey save is the no-script form's).
local requests = {}
local n = 0
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, cookie, csrf, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = {["X-Requested-With"] = "fetch"}
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
