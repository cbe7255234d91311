-- wrk script for `bench/run auth`: POST /api/patient-auth/refresh-token along refresh chains.
-- Each answer spends the token it was given and returns the next, so a token is used once:
-- a thread keeps a queue of live tokens (one per connection it has, read from FILE, where
-- line i belongs to thread i mod THREADS), a request takes one and its answer puts the
-- successor back. wrk calls the first thread's request() once before the run to check the
-- script, which spends a token nobody sends: FILE has one line more than connections. wrk does not say which connection a callback is for, and needs not: every
-- chain stays unbroken and only one request at a time holds it.
--   wrk -s bench/auth-refresh.lua URL -- FILE THREADS

local threads = 0

function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

function init(args)
	local stride, i = tonumber(args[2]), 0
	queue, head, tail = {}, 1, 0
	for line in io.lines(args[1]) do
		if i % stride == id then
			tail = tail + 1
			queue[tail] = line
		end
		i = i + 1
	end
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	if head > tail then
		error("bench: a refresh chain broke (a request failed or timed out)")
	end
	local token = queue[head]
	queue[head] = nil
	head = head + 1
	return wrk.format(nil, nil, nil, string.format('{"refreshToken":"%s"}', token))
end

function response(status, headers, body)
	local token = body:match('"refreshToken"%s*:%s*"([^"]+)"')
	if token then
		tail = tail + 1
		queue[tail] = token
	end
end
