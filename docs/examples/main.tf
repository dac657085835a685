# A small web stack: the sample the README's quick start prices.
variable "web_count" {
  default = 2
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
}

resource "aws_instance" "web" {
  count         = var.web_count
  ami           = data.aws_ami.ubuntu.id
  instance_type = "t3.micro"

  root_block_device {
    volume_type = "gp3"
    volume_size = 20
  }
}

resource "aws_db_instance" "main" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  multi_az          = false
}

resource "aws_nat_gateway" "main" {
  allocation_id = "eipalloc-123"
  subnet_id     = "subnet-123"
}

resource "aws_lb" "web" {
  load_balancer_type = "application"
}

resource "aws_s3_bucket" "assets" {
  bucket = "demo-assets"
}

resource "aws_lambda_function" "thumbnails" {
  function_name = "thumbnails"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  memory_size   = 512
}
