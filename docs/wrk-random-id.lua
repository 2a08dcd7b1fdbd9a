-- a random existing id per request
math.randomseed(42)
request = function()
  return wrk.format("GET", "/image-plant/potato/" .. math.random(1, 200))
end
