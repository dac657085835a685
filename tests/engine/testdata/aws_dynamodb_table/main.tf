provider "aws" {
  region = "us-east-1"
}

resource "aws_dynamodb_table" "provisioned" {
  name           = "provisioned"
  hash_key       = "id"
  read_capacity  = 25
  write_capacity = 10
  stream_enabled = true
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_dynamodb_table" "on_demand_global" {
  name         = "on-demand"
  hash_key     = "id"
  billing_mode = "PAY_PER_REQUEST"
  attribute {
    name = "id"
    type = "S"
  }
  replica {
    region_name = "eu-west-1"
  }
  replica {
    region_name = "us-west-2"
  }
}

resource "aws_dynamodb_table" "infrequent_access" {
  name           = "ia"
  hash_key       = "id"
  table_class    = "STANDARD_INFREQUENT_ACCESS"
  read_capacity  = 5
  write_capacity = 5
  replica {
    region_name = "us-west-1"
  }
}

resource "aws_dynamodb_table" "autoscaled" {
  name           = "autoscaled"
  hash_key       = "id"
  read_capacity  = 100
  write_capacity = 100
}

resource "aws_appautoscaling_target" "read" {
  min_capacity       = 20
  max_capacity       = 400
  resource_id        = "table/${aws_dynamodb_table.autoscaled.name}"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  service_namespace  = "dynamodb"
}

resource "aws_appautoscaling_target" "write" {
  min_capacity       = 10
  max_capacity       = 200
  resource_id        = "table/autoscaled"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
  service_namespace  = "dynamodb"
}
