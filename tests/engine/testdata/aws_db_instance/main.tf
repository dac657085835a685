provider "aws" {
  region = "us-east-1"
}

resource "aws_db_instance" "mysql" {
  engine                  = "mysql"
  instance_class          = "db.t3.large"
  allocated_storage       = 50
  backup_retention_period = 7
}

resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.mysql.identifier
  instance_class      = "db.t3.large"
}

resource "aws_db_instance" "postgres_multi_az_gp3" {
  engine            = "postgres"
  engine_version    = "16.3"
  instance_class    = "db.m5.large"
  multi_az          = true
  storage_type      = "gp3"
  allocated_storage = 500
  iops              = 15000
  storage_throughput = 600
}

resource "aws_db_instance" "io1_below_minimums" {
  engine            = "mariadb"
  instance_class    = "db.r5.large"
  storage_type      = "io1"
  allocated_storage = 40
  iops              = 400
}

resource "aws_db_instance" "magnetic" {
  engine            = "mysql"
  instance_class    = "db.t3.micro"
  storage_type      = "standard"
  allocated_storage = 100
}

resource "aws_db_instance" "oracle_se2" {
  engine            = "oracle-se2"
  instance_class    = "db.m5.large"
  allocated_storage = 100
}

resource "aws_db_instance" "oracle_ee_byol" {
  engine            = "oracle-ee"
  instance_class    = "db.m5.large"
  allocated_storage = 100
}

resource "aws_db_instance" "oracle_se1_retired" {
  engine            = "oracle-se1"
  instance_class    = "db.m5.large"
  allocated_storage = 100
}

resource "aws_db_instance" "sqlserver_web" {
  engine            = "sqlserver-web"
  instance_class    = "db.t3.medium"
  allocated_storage = 20
}

resource "aws_db_instance" "extended_mysql57" {
  engine            = "mysql"
  engine_version    = "5.7.44"
  instance_class    = "db.r5.xlarge"
  allocated_storage = 20
}

resource "aws_db_instance" "extended_postgres11" {
  engine            = "postgres"
  engine_version    = "11.22"
  instance_class    = "db.t3.large"
  allocated_storage = 20
}

resource "aws_db_instance" "reserved" {
  engine            = "mysql"
  instance_class    = "db.r5.large"
  allocated_storage = 20
}

resource "aws_db_instance" "burst_insights" {
  engine                                = "postgres"
  instance_class                        = "db.t3.medium"
  allocated_storage                     = 20
  performance_insights_enabled          = true
  performance_insights_retention_period = 731
}

resource "aws_db_instance" "unknown_class" {
  engine            = "mysql"
  instance_class    = var.instance_class
  allocated_storage = 20
}

variable "instance_class" {
  type = string
}
