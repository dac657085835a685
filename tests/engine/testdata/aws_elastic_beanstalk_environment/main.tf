provider "aws" {
  region = "us-east-1"
}

resource "aws_elastic_beanstalk_application" "app" {
  name = "app"
}

# MinSize instances with an io1 root volume, a classic load balancer and streamed logs.
resource "aws_elastic_beanstalk_environment" "web" {
  name        = "web"
  application = aws_elastic_beanstalk_application.app.name

  setting {
    namespace = "aws:ec2:instances"
    name      = "InstanceTypes"
    value     = "c5.large,c5.xlarge"
  }

  setting {
    namespace = "aws:autoscaling:asg"
    name      = "MinSize"
    value     = 3
  }

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "RootVolumeType"
    value     = "io1"
  }

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "RootVolumeSize"
    value     = 20
  }

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "RootVolumeIOPS"
    value     = 200
  }

  setting {
    namespace = "aws:elasticbeanstalk:environment"
    name      = "LoadBalancerType"
    value     = "classic"
  }

  setting {
    namespace = "aws:elasticbeanstalk:cloudwatch:logs"
    name      = "StreamLogs"
    value     = true
  }
}

# The default load balancer (application) and an RDS database.
resource "aws_elastic_beanstalk_environment" "with_database" {
  name        = "with-database"
  application = aws_elastic_beanstalk_application.app.name

  setting {
    namespace = "aws:autoscaling:launchconfiguration"
    name      = "InstanceType"
    value     = "t3.small"
  }

  setting {
    namespace = "aws:autoscaling:asg"
    name      = "MinSize"
    value     = 2
  }

  setting {
    namespace = "aws:rds:dbinstance"
    name      = "DBInstanceClass"
    value     = "db.t3.medium"
  }

  setting {
    namespace = "aws:rds:dbinstance"
    name      = "DBEngine"
    value     = "postgres"
  }

  setting {
    namespace = "aws:rds:dbinstance"
    name      = "DBAllocatedStorage"
    value     = 50
  }
}

# A single instance and no load balancer; spot enabled with no on-demand share.
resource "aws_elastic_beanstalk_environment" "single" {
  name        = "single"
  application = aws_elastic_beanstalk_application.app.name

  setting {
    namespace = "aws:ec2:instances"
    name      = "InstanceTypes"
    value     = "m5.large"
  }

  setting {
    namespace = "aws:elasticbeanstalk:environment"
    name      = "EnvironmentType"
    value     = "SingleInstance"
  }

  setting {
    namespace = "aws:ec2:instances"
    name      = "EnableSpot"
    value     = true
  }
}

# No instance type: Beanstalk chooses, so the hours are not priced.
resource "aws_elastic_beanstalk_environment" "worker" {
  name        = "worker"
  application = aws_elastic_beanstalk_application.app.name
  tier        = "Worker"
}
