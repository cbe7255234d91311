-- wrk script for `bench/run auth`: POST /api/patient-auth/verify-otp, each request with a
-- number of its own that has a live code. The numbers are FIRST .. FIRST+COUNT-1 after the
-- prefix; thread t of T takes t, t+T, t+2T, ... so no number is used twice.
--   wrk -s bench/auth-verify.lua URL -- PREFIX FIRST COUNT CODE THREADS

local threads = 0

function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

function init(args)
	prefix, first, count, code, stride = args[1], tonumber(args[2]), tonumber(args[3]),
		args[4], tonumber(args[5])
	nextn = id
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	if nextn >= count then
		error("bench: out of numbers with a code; prepare more (AUTH_BENCH_NUMBERS)")
	end
	local phone = string.format("%s%07d", prefix, first + nextn)
	nextn = nextn + stride
	return wrk.format(nil, nil, nil,
		string.format('{"phone":"%s","otp":"%s"}', phone, code))
end
