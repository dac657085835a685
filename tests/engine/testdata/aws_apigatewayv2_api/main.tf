provider "aws" {
  region = "us-east-1"
}

resource "aws_apigatewayv2_api" "http_no_usage" {
  name          = "http-idle"
  protocol_type = "HTTP"
}

# 400M requests of 600 KB: each counts twice (512 KB steps), 800M metered requests.
resource "aws_apigatewayv2_api" "http_large_requests" {
  name          = "uploads"
  protocol_type = "HTTP"
}

# 700M messages of 40 KB count twice (32 KB steps): 1.4B messages crosses the 1B tier.
resource "aws_apigatewayv2_api" "websocket" {
  name                       = "chat"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_api" "websocket_no_usage" {
  name                       = "chat-idle"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}
